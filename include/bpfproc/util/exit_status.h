#pragma once
// How bpfproc's commands end: one line on stderr and an exit status that tells bad input from a
// failure.
#include <string_view>

namespace bpfproc {

// A missing requirement or a runtime failure.
inline constexpr int kExitFailure = 1;
// Bad input: a flag, a config file, a listen address.
inline constexpr int kExitBadInput = 2;

// Stopped by signal N (bench), or reporting a command that signal N killed (measure): 128 + N, as
// the shells report such a process.
inline constexpr int exit_status_of_signal(int signal_number) { return 128 + signal_number; }

// Prints "bpfproc: MESSAGE" on stderr and returns `code`, for `return fail(...)`.
int fail(int code, std::string_view message);

}  // namespace bpfproc
