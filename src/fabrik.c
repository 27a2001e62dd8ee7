/*
 * fabrik: command dispatch only.
 */
#include <stdio.h>

int main(int, char **);

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("fabrik\n");
	return 0;
}
