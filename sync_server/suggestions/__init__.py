"""Track suggestions: public laps on no configured track, grouped by place, for admins to turn into tracks."""
