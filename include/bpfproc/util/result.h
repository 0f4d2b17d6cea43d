#pragma once
// Result<T>: a value or an Error. Recoverable failures are return values, never exceptions.
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace bpfproc {

struct Error {
  std::string what;    // what failed, e.g. "read" or "unknown key"
  std::string object;  // what it failed on, e.g. a path or "config.yml:3"
  int errno_value = 0; // 0 when the failure is not a system error

  // One line: "<object>: <what>[: <strerror>]".
  std::string message() const {
    std::string line = object.empty() ? what : object + ": " + what;
    if (errno_value != 0) line += std::string(": ") + std::strerror(errno_value);
    return line;
  }
};

// [[nodiscard]]: a Result that nobody looks at is an error that nobody handles. Where ignoring
// one is right, say so with (void) and a comment.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing on success.
struct Ok {};
using Status = Result<Ok>;

}  // namespace bpfproc
