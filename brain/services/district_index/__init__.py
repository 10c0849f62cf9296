"""The district innovation index (长春市县（市）区科技创新指数).

The index is data: brain/data/district_index.json names the dimensions, the indicators (codes of
the brain's catalog) with their weights and the options of each construction step
(`definition`). For a year, `compute_district_index` reads the values in use of the city's
units (districts, counties, county-level cities and development zones) through
`brain.services.values` — stored values, and for computed indicators the live figure where none
is stored — and hands the matrix to `kechuang.composite`, which imputes, treats outliers,
normalises, weights, aggregates, ranks and runs the sensitivity analysis, recording every step
(`compute`). `present` turns the result into rows for the pages, exports and the API, and the
methodology page's content.

Indicators without values for the year are skipped and said so. The result carries the data
version (the newest value row and its entry time, the count of stored and live figures) so a
frozen report can cite exactly what it was computed from.

District admins see the city-wide computation (the index is relative: every unit's score
depends on all the others) but only their own unit's rows and records, like the brain's other
pages; leaders and the bureau see every unit.
"""

from brain.services.district_index.compute import (
    DataVersion,
    DistrictIndex,
    IndicatorInput,
    check_year,
    compute_district_index,
    default_year,
    district_index_for,
    index_units,
    skip_reasons,
    stored_years,
    visible_units,
    year_choices,
)
from brain.services.district_index.definition import (
    DEFINITION_FILE,
    DefinitionError,
    Dimension,
    IndexDefinition,
    IndexIndicator,
    load_definition,
    parse_definition,
)
from brain.services.district_index.present import (
    api_payload,
    dimension_headers,
    exclusion_text,
    export_headers,
    export_rows,
    methodology,
    methodology_options,
    option_labels,
    ranking,
    scenario_columns,
    scenario_label,
    scenario_short,
)

__all__ = [
    "DEFINITION_FILE",
    "DataVersion",
    "DefinitionError",
    "Dimension",
    "DistrictIndex",
    "IndexDefinition",
    "IndexIndicator",
    "IndicatorInput",
    "api_payload",
    "check_year",
    "compute_district_index",
    "default_year",
    "dimension_headers",
    "district_index_for",
    "exclusion_text",
    "export_headers",
    "export_rows",
    "index_units",
    "load_definition",
    "methodology",
    "methodology_options",
    "option_labels",
    "parse_definition",
    "ranking",
    "scenario_columns",
    "scenario_label",
    "scenario_short",
    "skip_reasons",
    "stored_years",
    "visible_units",
    "year_choices",
]
