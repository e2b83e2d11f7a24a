"""H5P support: package validation and extraction (see ``assessments.h5p.package``)."""
