#include "adapters/http/tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <fstream>
#include <sstream>

#include "engine/hash.hpp"

namespace casetrail::http {
namespace {

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : bytes) {
    out += kDigits[ch >> 4];
    out += kDigits[ch & 15];
  }
  return out;
}

std::optional<std::string> Unhex(const std::string& hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (int k = 0; k < 2; ++k) {
      const char c = hex[i + k];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else return std::nullopt;
    }
    out += static_cast<char>(v);
  }
  return out;
}

std::string Random(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("no randomness for a token");
  }
  return out;
}

}  // namespace

Tokens::Tokens(std::filesystem::path file) : file_(std::move(file)) {}

Status Tokens::Reload() {
  std::ifstream in(file_);
  if (!in) return Status::InvalidArgument("tokens", "cannot read the tokens file '" + file_.string() + "'");
  std::vector<Entry> next;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream w(line);
    std::string spec;
    Entry e;
    if (!(w >> spec)) continue;
    std::string extra;
    if (!(w >> e.who.user >> e.who.role >> e.who.team) || (w >> extra)) {
      return Status::InvalidArgument("tokens", file_.string() + " line " + std::to_string(n) +
                                                   ": expected '<hash> <user> <role> <team>'");
    }
    if (e.who.role == "system") {
      return Status::InvalidArgument("tokens", file_.string() + " line " + std::to_string(n) +
                                                   ": the role 'system' is the engine's own (its scheduler); no token may have it");
    }
    const auto d1 = spec.find('$'), d2 = spec.find('$', d1 == std::string::npos ? 0 : d1 + 1);
    std::optional<std::string> salt;
    if (spec.rfind("sha256$", 0) == 0 && d2 != std::string::npos) salt = Unhex(spec.substr(d1 + 1, d2 - d1 - 1));
    e.hash = d2 == std::string::npos ? "" : spec.substr(d2 + 1);
    if (!salt || salt->empty() || e.hash.size() != 64 || !Unhex(e.hash)) {
      return Status::InvalidArgument("tokens", file_.string() + " line " + std::to_string(n) +
                                                   ": the hash must be sha256$<salt hex>$<64 hex digits>");
    }
    e.salt = *salt;
    next.push_back(std::move(e));
  }
  std::error_code ec;
  std::lock_guard<std::mutex> lk(mu_);
  entries_ = std::move(next);
  known_.clear();
  ++generation_;
  mtime_ = std::filesystem::last_write_time(file_, ec);
  size_ = std::filesystem::file_size(file_, ec);
  return Status::Ok();
}

void Tokens::Add(const std::string& token, const Principal& p) {
  Entry e{Random(16), {}, p};
  e.hash = Sha256Hex(e.salt + token);
  std::lock_guard<std::mutex> lk(mu_);
  entries_.push_back(std::move(e));
  known_.clear();
  ++generation_;
}

std::optional<Principal> Tokens::Authenticate(const std::string& token) {
  if (token.empty()) return std::nullopt;
  if (!file_.empty()) {
    bool stale = false;
    {
      std::lock_guard<std::mutex> lk(mu_);
      const auto now = std::chrono::steady_clock::now();
      if (now - checked_ >= std::chrono::seconds(1)) {
        checked_ = now;
        std::error_code ec;
        auto mtime = std::filesystem::last_write_time(file_, ec);
        auto size = std::filesystem::file_size(file_, ec);
        stale = !ec && (mtime != mtime_ || size != size_);
      }
    }
    if (stale) (void)Reload();  // a malformed file keeps the tokens in force; serve logs it at start
  }
  const std::string key = Sha256Hex(token);
  std::vector<Entry> entries;
  std::uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (auto it = known_.find(key); it != known_.end()) return it->second;
    entries = entries_;
    generation = generation_;
  }
  // Not seen since the last load: try every line (one salted hash each), outside the lock.
  for (const auto& e : entries) {
    const std::string h = Sha256Hex(e.salt + token);
    if (h.size() == e.hash.size() && CRYPTO_memcmp(h.data(), e.hash.data(), h.size()) == 0) {
      std::lock_guard<std::mutex> lk(mu_);
      // Only if the entries did not change meanwhile (a reload may have revoked this line).
      if (generation == generation_ && known_.size() < 100000) {
        known_.emplace(key, e.who);
      }
      return e.who;
    }
  }
  return std::nullopt;
}

std::string RandomHex(std::size_t bytes) { return Hex(Random(bytes)); }

std::pair<std::string, std::string> Tokens::Make(const Principal& p) {
  const std::string token = "ct_" + RandomHex(24);
  const std::string salt = Random(16);
  return {token, "sha256$" + Hex(salt) + "$" + Sha256Hex(salt + token) + " " + p.user + " " + p.role + " " + p.team};
}

}  // namespace casetrail::http
