from bridging.models.index_change import IndexChange
from bridging.models.match import Match, MatchNote

__all__ = ["IndexChange", "Match", "MatchNote"]
