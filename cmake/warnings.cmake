# ems_warnings: linked PRIVATE by every target of ours, never by third-party code.
add_library(ems_warnings INTERFACE)
target_compile_options(ems_warnings INTERFACE -Wall -Wextra -Werror -Wno-missing-field-initializers)

if(EMS_SANITIZE)
  # GCC 12's -Wmaybe-uninitialized reports false positives in libstdc++ (std::function inside
  # std::regex) once ASan instrumentation changes inlining; the Release build keeps the warning.
  target_compile_options(ems_warnings INTERFACE -Wno-maybe-uninitialized)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
