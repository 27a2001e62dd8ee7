a
b
++c
return
x => {}
(y)
throw e
