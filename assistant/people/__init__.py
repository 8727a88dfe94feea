"""The people in the profile store, for the assessor's app: the directory and each person's key needs."""
