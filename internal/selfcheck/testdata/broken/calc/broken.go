package calc

// Broken does not compile: the self-check's build step must fail.
func Broken() int { return undefinedName }
