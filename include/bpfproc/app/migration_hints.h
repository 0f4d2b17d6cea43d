#pragma once
// One line for a process-exporter flag given to bpfproc, saying what to use instead: users come
// with process-exporter's command lines (its flags take one dash or two), and CLI11's own
// "not expected" error would not tell them where the setting went.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpfproc {

// The hint for one command-line argument ("-config.path", "--threads=false", ...), or nullopt
// when it is not a process-exporter flag that bpfproc lacks.
std::optional<std::string> process_exporter_hint(std::string_view argument);

// The first hint among the daemon's arguments: those before a subcommand's own (measure's
// command may have any arguments).
std::optional<std::string> first_process_exporter_hint(const std::vector<std::string>& arguments);

}  // namespace bpfproc
