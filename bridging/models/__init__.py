from bridging.models.match import Match, MatchNote

__all__ = ["Match", "MatchNote"]
