// Fuzzes group name templates: NameTemplate::parse on any text, and render with every field
// (comm, paths, argv captures, {{.StartTime}} at any instant) taken from the input as well.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "bpfproc/grouping/name_template.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  bpfproc::ProcessIdentity identity;
  identity.pid = input.ConsumeIntegral<int>();
  identity.comm = input.ConsumeRandomLengthString(32);
  identity.exe_path = input.ConsumeRandomLengthString(64);
  identity.cwd = input.ConsumeRandomLengthString(64);
  identity.cgroups = {input.ConsumeRandomLengthString(64), input.ConsumeRandomLengthString(64)};
  bpfproc::TemplateContext context;
  context.identity = &identity;
  context.username = input.ConsumeRandomLengthString(32);
  context.start_time_unix_ns = input.ConsumeIntegral<std::int64_t>();
  context.matches[""] = input.ConsumeRandomLengthString(32);
  context.matches[input.ConsumeRandomLengthString(16)] = input.ConsumeRandomLengthString(32);

  auto parsed = bpfproc::NameTemplate::parse(input.ConsumeRemainingBytesAsString());
  if (!parsed) return 0;
  const std::string name = parsed->render(context);
  (void)parsed->match_names();
  (void)parsed->names_each_process();
  // {{.StartTime}} always prints a time: the int64 range of nanoseconds is years 1677 to 2262.
  if (parsed->text() == "{{.StartTime}}" && name.find(" +0000 UTC") == std::string::npos) __builtin_trap();
  return 0;
}
