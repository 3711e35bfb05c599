// Runs the casetrail command as a user does (tests/adapters): its exit code and everything it
// printed (stdout and stderr).
#pragma once

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "tests/engine/test_util.hpp"

namespace casetrail::testing {

struct CliRun {
  int code;
  std::string out;
};

// `casetrail ARGS --data DIR/data < stdin_text 2>&1`.
inline CliRun RunCli(const TempDir& dir, const std::string& args, const std::string& stdin_text = {}) {
  std::string cmd = std::string(CASETRAIL_CLI) + " " + args + " --data " + dir.sub("data");
  std::string in_file = dir.sub("stdin.txt");
  std::ofstream(in_file) << stdin_text;
  cmd += " < " + in_file + " 2>&1";
  CliRun r{0, {}};
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace casetrail::testing
