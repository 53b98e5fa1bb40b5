"""Everything about traces and learning signals. Never imports Textual."""
