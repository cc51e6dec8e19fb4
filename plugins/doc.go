// Package plugins is the registry through which aggregations, pipes and
// views extend signinq's query language. Plugins register from init;
// the engine can be given its own registry. It arrives with the issue
// "Plugins".
package plugins
