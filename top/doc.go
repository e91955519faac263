// Package top is svman top: a live view of a running svman in the terminal,
// made with bubbletea. The Model holds what is shown and takes messages
// (Update) and draws (View); the feeds (feed.go, logfeed.go) bring it
// svman's news through the control API, which is all it knows of svman
// (Backend, the apiclient package): the modules (fetched again when an
// event concerns them), their usage once a second, and the log it follows.
package top
