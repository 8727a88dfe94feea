"""The conversation: the timeline, the desk that speaks and shows, quick phrases and favourites."""
