/*
 * t/helper: small protocol test tool for scenario tests.
 */
#include <stdio.h>

int main(int, char **);

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}
