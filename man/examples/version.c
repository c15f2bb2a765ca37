#include <latchkit/version.h>
#include <stdio.h>

#if LATCHKIT_VERSION < 100 /* 0.1.0 */
#error "latchkit 0.1.0 or later is needed"
#endif

int main(void)
{
	printf("latchkit %s (major %d)\n", LATCHKIT_VERSION_STRING,
	       LATCHKIT_VERSION_MAJOR);
	return 0;
}
