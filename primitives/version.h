/*
 * latchkit/version.h: the release of latchkit these headers belong to.
 *
 * LATCHKIT_VERSION_MAJOR, LATCHKIT_VERSION_MINOR and LATCHKIT_VERSION_PATCH
 * are the release. The shared library is liblatchkit.so.MAJOR.MINOR.PATCH
 * with the SONAME liblatchkit.so.MAJOR: MAJOR changes exactly when the
 * library's ABI changes incompatibly (make abi-check enforces it).
 * LATCHKIT_VERSION is one number for comparisons in #if, MAJOR * 10000 +
 * MINOR * 100 + PATCH (0.1.0 is 100); LATCHKIT_VERSION_STRING is
 * "MAJOR.MINOR.PATCH".
 *
 * This file is the one place the version is written: the build reads the
 * three numbers below for the SONAME and file name of the shared library,
 * latchkit.pc and the CMake package. Keep each on its own line as it is.
 *
 * Plain macros (and one internal typedef): no atomics, no size, no memory
 * orders; the header compiles on its own as C11 and as C++11 and later.
 */
#ifndef LATCHKIT_VERSION_H
#define LATCHKIT_VERSION_H

#define LATCHKIT_VERSION_MAJOR 1
#define LATCHKIT_VERSION_MINOR 1
#define LATCHKIT_VERSION_PATCH 0

#define LATCHKIT_VERSION                                                       \
	(LATCHKIT_VERSION_MAJOR * 10000 + LATCHKIT_VERSION_MINOR * 100 +      \
	 LATCHKIT_VERSION_PATCH)

#define LK__VERSION_STR_(x) #x
#define LK__VERSION_STR(x) LK__VERSION_STR_(x)
#define LATCHKIT_VERSION_STRING                                                \
	LK__VERSION_STR(LATCHKIT_VERSION_MAJOR)                                \
	"." LK__VERSION_STR(LATCHKIT_VERSION_MINOR) "." LK__VERSION_STR(       \
		LATCHKIT_VERSION_PATCH)

/* One declaration, so that a file including only this header is not an
 * empty translation unit, which ISO C (-pedantic) forbids. */
typedef int lk__version_h;

#endif /* LATCHKIT_VERSION_H */
