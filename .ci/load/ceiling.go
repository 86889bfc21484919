//go:build loadceiling

package main

func main() {}
