#include "workflows/placements.hpp"

#include <cctype>
#include <regex>

namespace casetrail::workflows {
namespace {

const Date kAlways = Date::FromYmd(1990, 1, 1);
const Date kForever = Date::FromYmd(9999, 12, 31);

}  // namespace

const std::vector<PlacementCode>& PlacementCodes() {
  static const std::vector<PlacementCode> codes = [] {
    const char* const k903 = "SSDA903 code list (dfe-returns.md 4.4)";
    std::vector<PlacementCode> c = {
        {"A3", "placed_for_adoption", "placed for adoption with parental consent (ACA 2002 s19), with the current foster carer", kAlways, kForever, "", k903},
        {"A4", "placed_for_adoption", "placed for adoption with parental consent (ACA 2002 s19), not with the current foster carer", kAlways, kForever, "", k903},
        {"A5", "placed_for_adoption", "placed for adoption under a placement order (ACA 2002 s21), with the current foster carer", kAlways, kForever, "", k903},
        {"A6", "placed_for_adoption", "placed for adoption under a placement order (ACA 2002 s21), not with the current foster carer", kAlways, kForever, "", k903},
        {"H5", "semi_independent", "semi-independent living accommodation not subject to children's homes regulations", kAlways, Date::FromYmd(2025, 3, 31), "", "removed from 2025-26 (dfe-returns.md 4.1)"},
        {"K1", "secure", "secure children's home", kAlways, kForever, "", k903},
        {"K2", "residential", "children's home", kAlways, kForever, "", k903},
        {"K3", "semi_independent", "supported accommodation (16 and over)", Date::FromYmd(2024, 4, 1), kForever, "", "added in 2024-25 (dfe-returns.md 4.1)"},
        {"P1", "placed_with_parents", "placed with a parent or other person with parental responsibility", kAlways, kForever, "", k903},
        {"P2", "semi_independent", "independent living", kAlways, Date::FromYmd(2023, 10, 27), "", "invalid from 28 October 2023 (dfe-returns.md 4.1, rule 217t)"},
        {"P3", "other", "residential employment", kAlways, kForever, "", k903},
        {"R1", "residential", "residential care home", kAlways, kForever, "", k903},
        {"R2", "other", "NHS or health trust establishment", kAlways, kForever, "", k903},
        {"R3", "other", "family centre or mother and baby unit", kAlways, kForever, "", k903},
        {"R5", "secure", "young offender institution", kAlways, kForever, "", k903},
        {"S1", "residential", "residential school", kAlways, kForever, "", k903},
        {"T0", "", "temporary move (any)", kAlways, kForever, "", k903},
        {"T1", "", "temporary: in hospital", kAlways, kForever, "", k903},
        {"T2", "", "temporary: on holiday", kAlways, kForever, "", k903},
        {"T3", "", "temporary: while the foster carer is on holiday", kAlways, kForever, "", k903},
        {"T4", "", "temporary: other, up to 7 days", kAlways, kForever, "", k903},
        {"U1", "connected_person", "foster placement with a relative or friend, long term", kAlways, kForever, "yes", k903},
        {"U2", "connected_person", "foster placement with a relative or friend who is also an approved adopter (fostering for adoption, concurrent planning)", kAlways, kForever, "", k903},
        {"U3", "connected_person", "foster placement with a relative or friend, not long term", kAlways, kForever, "no", k903},
        {"U4", "foster_care", "foster placement with another foster carer, long term", kAlways, kForever, "yes", k903},
        {"U5", "foster_care", "foster placement with another foster carer who is also an approved adopter (fostering for adoption, concurrent planning)", kAlways, kForever, "", k903},
        {"U6", "foster_care", "foster placement with another foster carer, not long term", kAlways, kForever, "no", k903},
        {"Z1", "other", "other placement", kAlways, Date::FromYmd(2025, 3, 31), "", "split into Z11-Z14 from 2025-26 (dfe-returns.md 4.1)"},
    };
    for (const char* z : {"Z11", "Z12", "Z13", "Z14"}) {
      c.push_back({z, "other", "other placement (the 2025-26 split of Z1; the DfE's labels are not in the sources)",
                   Date::FromYmd(2025, 4, 1), kForever, "", "added in 2025-26 (dfe-returns.md 4.1)"});
    }
    return c;
  }();
  return codes;
}

const std::vector<ChangeReason>& PlacementChangeReasons() {
  static const std::vector<ChangeReason> r = {
      {"care_plan", "CARPL"}, {"carer_resigned_or_provision_closed", "CLOSE"}, {"allegation", "ALLEG"},
      {"standards_of_care", "STAND"}, {"approval_removed", "APPRR"}, {"carer_request_behaviour", "CREQB"},
      {"carer_request_other", "CREQO"}, {"child_request", "CHILD"}, {"authority_request", "LAREQ"},
      {"placement_status_only", "PLACE"}, {"custody", "CUSTOD"}, {"other", "OTHER"}};
  return r;
}

const std::vector<ChangeReason>& PlacementProviders() {
  static const std::vector<ChangeReason> r = {{"parent", "PR0"},       {"own_authority", "PR1"}, {"other_authority", "PR2"},
                                              {"other_public", "PR3"}, {"private", "PR4"},       {"voluntary", "PR5"}};
  return r;
}

std::string PlacementDetailProblem(const std::map<std::string, std::string>& params, Date day) {
  auto get = [&](const char* key) -> const std::string* {
    auto it = params.find(key);
    return it == params.end() || it->second.empty() ? nullptr : &it->second;
  };
  if (const std::string* place = get("place")) {
    const PlacementCode* code = nullptr;
    for (const auto& c : PlacementCodes()) code = c.code == *place ? &c : code;
    if (!code) return "'place' " + *place + " is not an SSDA903 placement code";
    if (day < code->valid_from) {
      return "'place' " + code->code + " (" + code->words + ") may be used from " + code->valid_from.ToString() + ": " + code->source;
    }
    if (day > code->valid_to) {
      return "'place' " + code->code + " (" + code->words + ") may not be used after " + code->valid_to.ToString() + ": " + code->source;
    }
    const std::string* kind = get("placement");
    if (!code->kind.empty() && kind && *kind != code->kind) {
      return "'place' " + code->code + " (" + code->words + ") is a " + code->kind + " placement, not " + *kind;
    }
    const std::string* long_term = get("long_term");
    if (!code->long_term.empty() && long_term && *long_term != code->long_term) {
      return "'place' " + code->code + " (" + code->words + ") does not agree with long_term " + *long_term;
    }
  }
  if (const std::string* urn = get("urn")) {
    static const std::regex kUrn("SC[0-9]{6}|[0-9]{6,7}|XXXXXXX");
    if (!std::regex_match(*urn, kUrn)) {
      return "'urn' must be an Ofsted unique reference number (SC and 6 digits, or 6 or 7 digits), or XXXXXXX for an unregistered setting (got '" + *urn + "')";
    }
  }
  if (const std::string* postcode = get("postcode")) {
    static const std::regex kPostcode("[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", std::regex::icase);
    if (!std::regex_match(*postcode, kPostcode)) return "'postcode' must be a UK postcode, such as B1 1BB (got '" + *postcode + "')";
  }
  if (const std::string* miles = get("distance_miles")) {
    static const std::regex kMiles("[0-9]{1,3}(\\.[0-9])?");
    if (!std::regex_match(*miles, kMiles)) return "'distance_miles' must be a distance in miles from 0 to 999.9 (got '" + *miles + "')";
  }
  return "";
}

}  // namespace casetrail::workflows
