"""PostgreSQL's median of a duration (seconds), for the dashboard's "median days to complete"."""

from django.db.models import Aggregate, FloatField


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    name = "median"
    output_field = FloatField()
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
