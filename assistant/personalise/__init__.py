"""A person's communication profile applied to the settings Hark runs with."""
