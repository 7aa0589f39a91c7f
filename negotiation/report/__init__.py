"""Reports on games: the debrief (Markdown and self-contained HTML), text summaries, and the
timeline of scores the replay viewer and the reports chart."""
