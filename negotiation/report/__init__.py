"""Reports on games: text summaries now; debriefs and briefs as Markdown and HTML later."""
