// Bearer tokens for the HTTP API, from a tokens file that holds only salted hashes.
//
// File format, one token per line ('#' starts a comment):
//   sha256$<salt hex>$<hex SHA-256 of salt bytes followed by the token> <user> <role> <team>
// `casetrail token --user U --role R --team T` makes a token and prints it once with its line.
// The file is re-read when it changes, so a token is revoked by deleting its line (no restart).
//
// Roles: the workflows' roles (social_worker, team_manager, cp_chair, iro, legal, ...), plus
// auditor (reads everything, writes nothing), subscriber (subscriptions only) and admin.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/event.hpp"
#include "engine/status.hpp"

namespace casetrail::http {

struct Principal {
  std::string user, role, team;
};

// `bytes` random bytes from OpenSSL, in hex (2 digits a byte); throws if there is no randomness.
std::string RandomHex(std::size_t bytes);

class Tokens {
 public:
  // An empty path: no file; every request is unauthenticated (used only by tests that add
  // tokens with Add).
  explicit Tokens(std::filesystem::path file = {});

  // The principal a token belongs to; nullopt for an unknown or revoked token. Re-reads the
  // file when its modification time or size changed (at most once a second).
  std::optional<Principal> Authenticate(const std::string& token);

  // Loads the file now: InvalidArgument naming the line for a malformed one (the previous
  // tokens stay in force).
  Status Reload();
  // For tests and tools: accept this token for this principal.
  void Add(const std::string& token, const Principal& p);

  // A new random token and the line for it in the tokens file.
  static std::pair<std::string, std::string> Make(const Principal& p);

 private:
  struct Entry {
    std::string salt;  // bytes
    std::string hash;  // hex
    Principal who;
  };
  std::filesystem::path file_;
  std::mutex mu_;
  std::vector<Entry> entries_;
  // Tokens that authenticated since the last (re)load, by their unsalted SHA-256 (memory only),
  // so that a request costs one hash, not one per line of the file. Cleared by every change of
  // the entries: a revoked token stops working at the next re-read.
  std::unordered_map<std::string, Principal> known_;
  std::uint64_t generation_ = 0;  // +1 at every change of entries_
  std::filesystem::file_time_type mtime_{};
  std::uintmax_t size_ = 0;
  std::chrono::steady_clock::time_point checked_{};
};

}  // namespace casetrail::http
