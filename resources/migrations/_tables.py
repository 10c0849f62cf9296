# The record tables that carry a full-text index (shared by the search migrations).
TABLES = [
    "resources_achievement",
    "resources_demand",
    "resources_expert",
    "resources_platform",
    "resources_instrument",
    "resources_patent",
]
