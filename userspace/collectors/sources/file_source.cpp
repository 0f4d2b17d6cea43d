// The `file` source type: a file's content, read whole at each run of the source.
#include "bpfproc/collectors/sources/source_reader.h"
#include "bpfproc/util/whole_file.h"

namespace bpfproc {

Result<std::string> read_file_source(const SourceDefinition& source) {
  auto text = read_regular_file(source.path);
  if (!text) return text.error();
  if (text->size() > source.output_limit)
    return Error{"larger than " + std::to_string(source.output_limit) + " bytes (output_limit)", source.path};
  return std::move(*text);
}

}  // namespace bpfproc
