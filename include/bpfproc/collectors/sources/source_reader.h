#pragma once
// Source types of custom metric sources: what one read of a source returns. Each read is bounded
// by the source's timeout and output limit; what goes beyond either is an error, never a wait.
#include <string>

#include "bpfproc/collectors/sources/source_config.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

// Runs the command without a shell (as run_as, when given), in a process group of its own that is
// killed whole at the timeout. Its stdout is the content; stderr goes to /dev/null. A non-zero
// exit, a signal or output beyond the limit is an error.
Result<std::string> read_command_source(const SourceDefinition& source);

// The file's content (a regular file only: a FIFO or device would block or never end).
Result<std::string> read_file_source(const SourceDefinition& source);

// The body of a GET on the source's local URL (libcurl); a status other than 2xx is an error.
Result<std::string> read_http_source(const SourceDefinition& source);

}  // namespace bpfproc
