// Package server is the HTTP face of Supervision File: gin routes for the
// pages and the JSON API, sign-in and sessions, and the one place where
// errors become status codes, pages and JSON bodies.
package server
