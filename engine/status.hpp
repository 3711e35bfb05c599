// Status and Result<T>: how the engine reports expected failures.
//
// Expected failures (bad input, conflicts, missing data, corruption) are values, never
// exceptions. A Status carries a stable code, a human-readable message and, where one input
// field is at fault, the name of that field, so that every adapter can tell the caller exactly
// what to fix. Codes are persisted in logs and API responses: never renumber them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace casetrail {

class Status {
 public:
  enum class Code : std::uint8_t {
    kOk = 0,
    kNotFound = 1,
    kInvalidArgument = 2,
    kConflict = 3,
    kRejected = 4,
    kForbidden = 5,
    kCorruption = 6,
    kIOError = 7,
    kUnavailable = 8,
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  // `field` names the input field at fault (e.g. "stream", "events[2].payload").
  static Status InvalidArgument(std::string field, std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg), std::move(field));
  }
  static Status Conflict(std::string msg) { return Status(Code::kConflict, std::move(msg)); }
  static Status Rejected(std::string msg) { return Status(Code::kRejected, std::move(msg)); }
  static Status Forbidden(std::string msg) { return Status(Code::kForbidden, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsConflict() const { return code_ == Code::kConflict; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsIOError() const { return code_ == Code::kIOError; }

  // Stable lower-case name of the code: "ok", "not_found", "invalid_argument", ...
  static const char* CodeName(Code code);
  // "invalid_argument: stream: must not be empty"
  std::string ToString() const;

  // A Conflict on an append carries the stream's actual last version (0 = no stream).
  Status& WithActualVersion(std::uint64_t v) {
    actual_version_ = v;
    return *this;
  }
  std::optional<std::uint64_t> actual_version() const { return actual_version_; }

 private:
  Status(Code code, std::string msg, std::string field = {})
      : code_(code), message_(std::move(msg)), field_(std::move(field)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
  std::optional<std::uint64_t> actual_version_;
};

// A value or a non-ok Status.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}              // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}       // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T value_or(T fallback) const { return ok() ? std::get<T>(v_) : std::move(fallback); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace casetrail
