"""Speech models for captions: the catalogue, downloads, safe unpacking and installed models."""
