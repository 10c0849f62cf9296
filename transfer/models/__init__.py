from transfer.models.catalogs import Catalog, CatalogEntry
from transfer.models.contracts import TechContract
from transfer.models.listings import Bid, Listing
from transfer.models.screening import Screening, ScreeningScore, TrlAssessment
from transfer.models.valuation import ValuationReport

__all__ = [
    "Bid",
    "Catalog",
    "CatalogEntry",
    "Listing",
    "Screening",
    "ScreeningScore",
    "TechContract",
    "TrlAssessment",
    "ValuationReport",
]
