# The fuzz targets and the libraries each one links. Shared by fuzz/CMakeLists.txt (libFuzzer,
# clang) and tests/fuzz_regressions/CMakeLists.txt (the same sources replayed by the suite).
set(FLUXSTATUS_FUZZ_TARGETS flux_event revision signature config provider_reply flux_objects)
set(FLUXSTATUS_FUZZ_LIBS_flux_event fluxstatus_core)
set(FLUXSTATUS_FUZZ_LIBS_revision fluxstatus_core)
set(FLUXSTATUS_FUZZ_LIBS_signature fluxstatus_ingest OpenSSL::Crypto)
set(FLUXSTATUS_FUZZ_LIBS_config fluxstatus_app)
set(FLUXSTATUS_FUZZ_LIBS_provider_reply fluxstatus_dispatch)
set(FLUXSTATUS_FUZZ_LIBS_flux_objects fluxstatus_core)
