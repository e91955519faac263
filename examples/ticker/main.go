// Command ticker prints a numbered tick every interval: the simplest long-running
// module, to watch the console and try `svman ctl ticker pause`.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	every := flag.Duration("every", time.Second, "interval between ticks")
	flag.Parse()
	for i := 1; ; i++ {
		time.Sleep(*every)
		fmt.Printf("tick %d (pid %d)\n", i, os.Getpid())
	}
}
