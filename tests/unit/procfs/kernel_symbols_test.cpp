#include "bpfproc/procfs/kernel_symbols.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

constexpr std::string_view kKallsyms =
    "ffffffff81000000 T _stext\n"
    "ffffffff8226a1b0 T do_wait\n"
    "ffffffff8226a400 t poll_schedule_timeout.constprop.0\n"
    "ffffffff8226a500 d some_data\n"
    "ffffffffc0001000 t helper_in_module\t[ext4]\n";

TEST(KernelSymbols, NamesAnAddressByTheTextSymbolAtOrBelowItAsWchanDoes) {
  EXPECT_EQ(symbol_at(kKallsyms, 0xffffffff8226a1b0), "do_wait");
  EXPECT_EQ(symbol_at(kKallsyms, 0xffffffff8226a1f3), "do_wait");
  EXPECT_EQ(symbol_at(kKallsyms, 0xffffffff8226a510), "poll_schedule_timeout.constprop.0") << "data is not text";
  EXPECT_EQ(symbol_at(kKallsyms, 0xffffffffc0001010), "helper_in_module") << "without its module";
  EXPECT_EQ(symbol_at(kKallsyms, 0x1000), "");
  // Without root, kallsyms shows every address as 0: no name rather than a wrong one.
  EXPECT_EQ(symbol_at("0000000000000000 T do_wait\n", 0xffffffff8226a1f3), "");
}

TEST(KernelSymbols, ReadsKallsymsThroughProcfsAndKeepsWhatItFound) {
  KernelSymbols symbols{ProcFs(BPFPROC_FIXTURES_DIR "/proc")};
  EXPECT_EQ(symbols.name_of(0xffffffff8226a1f3), "") << "the fixture tree has no kallsyms";
}

}  // namespace
}  // namespace bpfproc
