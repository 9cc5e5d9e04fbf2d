// The header holds everything; SwiftPM wants one source file in a C target.
#include "CMallocTrim.h"
