// Headers only; a C target needs one translation unit.
#include "CSocketPoll.h"
