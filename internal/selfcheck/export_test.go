package selfcheck

// NewTestProvider is [NewProvider] with the engines' default local
// addresses and the folders searched for a throwaway server's binaries
// replaced, where local or binDirs is not nil.
func NewTestProvider(getenv func(string) string, local map[string]string, binDirs map[string][]string) DatabaseProvider {
	p := NewProvider(getenv).(*provider)
	if local != nil {
		p.local = local
	}
	if binDirs != nil {
		p.binDirs = binDirs
	}
	return p
}

// CheckDatabaseName exports checkDatabaseName.
var CheckDatabaseName = checkDatabaseName

// RedisURL and PingRedis export redisURL and pingRedis.
var (
	RedisURL  = redisURL
	PingRedis = pingRedis
)
