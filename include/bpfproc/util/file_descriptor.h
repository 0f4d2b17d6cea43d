#pragma once
// FileDescriptor: owns one file descriptor and closes it when it goes out of scope, so that
// every return path (and every error path) closes what was opened. Move-only: a descriptor has
// exactly one owner.
#include <utility>

namespace bpfproc {

class FileDescriptor {
 public:
  FileDescriptor() = default;
  // Takes ownership of `descriptor`; a negative value (a failed open's -1) owns nothing.
  explicit FileDescriptor(int descriptor) noexcept : descriptor_(descriptor < 0 ? -1 : descriptor) {}
  FileDescriptor(FileDescriptor&& other) noexcept : descriptor_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { reset(); }

  int get() const { return descriptor_; }  // -1 when it owns nothing
  bool valid() const { return descriptor_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives up ownership without closing; returns the descriptor (-1 if it owned none).
  [[nodiscard]] int release() noexcept { return std::exchange(descriptor_, -1); }
  // Closes the descriptor it owns, if any, and takes ownership of `descriptor`.
  void reset(int descriptor = -1) noexcept;

 private:
  int descriptor_ = -1;
};

}  // namespace bpfproc
