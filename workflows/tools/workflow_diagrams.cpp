// workflow_diagrams DIR          writes DIR/<journey>.md for every journey
// workflow_diagrams --check DIR  exits 1 (naming the files) if DIR differs from the tables
#include <fstream>
#include <iostream>
#include <sstream>

#include "workflows/registry.hpp"

using namespace casetrail::workflows;

int main(int argc, char** argv) {
  const bool check = argc == 3 && std::string(argv[1]) == "--check";
  if (argc != 2 && !check) {
    std::cerr << "usage: workflow_diagrams [--check] DIR\n";
    return 2;
  }
  const std::string dir = argv[argc - 1];
  int stale = 0;
  std::vector<std::pair<std::string, std::string>> pages = {{"README", IndexPage()},
                                                            {"rules", RulesPage(RuleBook::Default())},
                                                            {"placements", PlacementsPage()}};
  for (const auto& kind : Journeys()) {
    pages.emplace_back(kind.name, DiagramPage(*kind.make(RuleBook::Default())));
  }
  for (const auto& kind : OtherRecordJourneys()) {
    pages.emplace_back(kind.name, DiagramPage(*kind.make(RuleBook::Default())));
  }
  for (const auto& [name, page] : pages) {
    const std::string path = dir + "/" + name + ".md";
    if (check) {
      std::ifstream in(path);
      std::stringstream have;
      have << in.rdbuf();
      if (!in || have.str() != page) {
        std::cerr << path << " does not match the transition tables ('" << name
                  << "'): run cmake --build build --target diagrams\n";
        ++stale;
      }
    } else {
      std::ofstream(path) << page;
      std::cout << "wrote " << path << "\n";
    }
  }
  return stale == 0 ? 0 : 1;
}
