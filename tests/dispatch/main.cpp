// The one translation unit that defines the Boost.Test module (and so main()) for dispatch_tests.
#define BOOST_TEST_MODULE dispatch_tests
#include <boost/test/unit_test.hpp>
