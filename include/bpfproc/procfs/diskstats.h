#pragma once
// Parser for /proc/diskstats: per block device "major minor name" then 11 counters (Linux 4.18
// adds 4 discard counters, 5.5 adds 2 flush counters); kernel Documentation/admin-guide/iostats.rst.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct DiskStats {
  // The counters of iostats.rst, in its order; sectors are 512 bytes whatever the device's
  // sector size, times are milliseconds.
  enum Field {
    kReadsCompleted, kReadsMerged, kSectorsRead, kReadMilliseconds,
    kWritesCompleted, kWritesMerged, kSectorsWritten, kWriteMilliseconds,
    kIosInProgress, kIoMilliseconds, kWeightedIoMilliseconds,
    kDiscardsCompleted, kDiscardsMerged, kSectorsDiscarded, kDiscardMilliseconds,
    kFlushesCompleted, kFlushMilliseconds, kFields
  };
  std::uint32_t major = 0, minor = 0;
  std::string name;
  std::uint64_t counters[kFields] = {};
  std::size_t counter_count = 0;  // how many the kernel printed: 11, 15 or 17
};

// Every device, in file order. An error names the first line with fewer than 11 counters or a
// word that is not a number.
Result<std::vector<DiskStats>> parse_diskstats(std::string_view text);

}  // namespace bpfproc
