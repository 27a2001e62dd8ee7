x = a / b / c; y = /re[/]x/gi.test(s); if (x) /a/.exec(b)
{}/foo/g
