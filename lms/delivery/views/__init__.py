"""Club delivery's views: the facilitators' pages (site), the managers' (admin), the report."""
