"""创优 Chuangyou: the 争先创优 / 评星定级 campaign of grassroots Party organizations."""
