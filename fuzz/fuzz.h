// What every libFuzzer target of ems shares (fuzz/README.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace ems::fuzz {

inline std::string_view Text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// An invariant of the code under test that the input broke: a crash libFuzzer reports.
inline void Require(bool holds) {
  if (!holds) std::abort();
}

}  // namespace ems::fuzz
