"""Every figure an answer states cites its own source and date, with the short label the widget
shows ("EPA", "NHTSA", the maker's name); a vehicle without recall rows is never said to have none."""

from __future__ import annotations

from actions.render_payload import comparison_payload, product_card
from knowledge.citations import citation
from knowledge.compare import compare
from knowledge.facts import (
    fact_answer,
    known_issues_answer,
)
from knowledge.ownership import cost_answer, cost_to_own

EPA = "https://www.fueleconomy.gov/feg/Find.do?action=sbs&id="


def test_an_epa_figure_cites_its_epa_id_as_of_the_file(vehicles):
    found = citation(vehicles, vehicles.by_id["ford-maverick-2025"], "mpg_combined")
    assert (found.label, found.url, found.as_of.isoformat()) == ("EPA", f"{EPA}48869", "2025-10-28")


def test_a_required_configuration_cites_that_configuration_s_row(vehicles):
    awd = vehicles.by_id["ford-maverick-2025"].configured(("awd",))
    assert (awd.value("mpg_combined"), citation(vehicles, awd, "mpg_combined").url) == (
        37,
        f"{EPA}48873",
    )


def test_an_nhtsa_figure_is_labelled_nhtsa(vehicles):
    assert citation(vehicles, vehicles.by_id["toyota-rav4-2025"], "nhtsa_overall").label == "NHTSA"


def test_a_value_without_its_own_source_cites_the_maker_by_name(vehicles):
    trax = citation(vehicles, vehicles.by_id["chevrolet-trax-2024"], "msrp_usd")
    assert (trax.label, trax.url) == ("Chevrolet", "https://www.chevrolet.com/suvs/trax")
    assert (
        citation(vehicles, vehicles.by_id["volkswagen-jetta-2025"], "seats").label == "Volkswagen"
    )


def test_a_fact_answer_states_each_configuration_and_cites_each_figure(vehicles):
    text = fact_answer(vehicles, vehicles.by_id["ford-maverick-2025"], ["mpg_combined"])
    assert text == (
        "2025 Ford Maverick XL: EPA combined fuel economy: 38 mpg (FWD; 37 mpg AWD) "
        f"(source: EPA, as of 2025-10-28: {EPA}48869)."
    )


def test_a_vehicle_without_recall_rows_is_not_said_to_have_no_recalls(vehicles):
    assert known_issues_answer(vehicles.by_id["buick-enclave-2025"], vehicles) == (
        "I have no recalls on file for the 2025 Buick Enclave Preferred; NHTSA's VIN look-up is "
        "the complete list: https://www.nhtsa.gov/recalls."
    )


def test_recalls_on_file_are_listed_with_their_campaign_page_and_the_complete_list(vehicles):
    text = known_issues_answer(vehicles.by_id["ford-f-150-2025"], vehicles)
    assert (
        "- recall 25V271 (2025-05-07): Compliance Recall 25C12 Certain 2025 Model Year F-150"
        in text
    )
    assert "(NHTSA: https://www.nhtsa.gov/recalls?nhtsaId=25V271)" in text
    assert text.endswith("NHTSA's VIN look-up is the complete list: https://www.nhtsa.gov/recalls.")


def test_cost_to_own_cites_the_efficiency_figure_and_each_assumption(vehicles):
    product = vehicles.by_id["chevrolet-trax-2024"]
    cost = cost_to_own(vehicles, product)
    text = cost_answer(cost, vehicles)
    assert "For reference, Starting MSRP: $20,400 (source: Chevrolet, as of " in text
    energy = cost.lines[-1]
    assert energy.basis.startswith("EPA combined fuel economy: 30 mpg (FWD) at $3.151 a gallon")
    assert [c.label for c in energy.sources] == ["EPA", "AAA Your Driving Costs 2025"]
    assert energy.sources[0].url == f"{EPA}46450"


def test_card_facts_and_comparison_cells_carry_their_sources(vehicles):
    maverick, rav4 = vehicles.by_id["ford-maverick-2025"], vehicles.by_id["toyota-rav4-hybrid-2025"]
    facts = {f["label"]: f["source"] for f in product_card(vehicles, maverick)["facts"]}
    assert facts["EPA combined fuel economy"]["label"] == "EPA"
    rows = {r["label"]: r for r in comparison_payload(compare(vehicles, [maverick, rav4]))["rows"]}
    safety = rows["NHTSA overall safety rating"]
    assert safety["values"] == ["4 stars", "no data"]
    assert [s and s["label"] for s in safety["sources"]] == ["NHTSA", None]
