// Package clamav scans files for viruses with clamd, the ClamAV daemon
// (Debian's clamav-daemon), over its unix or TCP socket with the INSTREAM
// command: the file is streamed to the daemon, which never needs to read
// the service's disk. It implements supervision.Scanner.
package clamav

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Client reaches one clamd.
type Client struct {
	Network string // "unix" or "tcp"
	Address string // a socket path, or host:port
	// Timeout bounds one scan (connect, send, answer); 0 means two minutes.
	Timeout time.Duration
}

// Parse reads where clamd listens: "unix:/run/clamav/clamd.ctl" or a path
// starting with "/", or "tcp:127.0.0.1:3310" or host:port.
func Parse(spec string) (*Client, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "":
		return nil, errors.New("clamd: no address")
	case strings.HasPrefix(spec, "unix:"):
		return &Client{Network: "unix", Address: strings.TrimPrefix(spec, "unix:")}, nil
	case strings.HasPrefix(spec, "/"):
		return &Client{Network: "unix", Address: spec}, nil
	case strings.HasPrefix(spec, "tcp:"):
		spec = strings.TrimPrefix(strings.TrimPrefix(spec, "tcp:"), "//")
	}
	if _, _, err := net.SplitHostPort(spec); err != nil {
		return nil, fmt.Errorf("clamd address %q: give unix:/path/to/clamd.ctl or tcp:host:port", spec)
	}
	return &Client{Network: "tcp", Address: spec}, nil
}

// String says where the client connects, for logs and the admin page.
func (c *Client) String() string { return c.Network + ":" + c.Address }

const chunkSize = 64 << 10

func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, c.Network, c.Address)
	if err != nil {
		return nil, fmt.Errorf("clamd at %s: %w", c, err)
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	return conn, nil
}

// Ping checks that clamd answers.
func (c *Client) Ping(ctx context.Context) error {
	reply, err := c.command(ctx, "zPING\x00", nil)
	if err != nil {
		return err
	}
	if reply != "PONG" {
		return fmt.Errorf("clamd at %s answered PING with %q", c, reply)
	}
	return nil
}

// Version is clamd's version line, such as "ClamAV 1.4.6/…".
func (c *Client) Version(ctx context.Context) (string, error) {
	return c.command(ctx, "zVERSION\x00", nil)
}

// Scan streams r to clamd and returns the name of the signature it found,
// or "" when the file is clean. Any other answer (a size limit, an error)
// is an error: the file has not been checked.
func (c *Client) Scan(ctx context.Context, r io.Reader) (string, error) {
	reply, err := c.command(ctx, "zINSTREAM\x00", r)
	if err != nil {
		return "", err
	}
	result, ok := strings.CutPrefix(reply, "stream: ")
	switch {
	case !ok:
		return "", fmt.Errorf("clamd at %s: unexpected answer %q", c, reply)
	case result == "OK":
		return "", nil
	case strings.HasSuffix(result, " FOUND"):
		return strings.TrimSuffix(result, " FOUND"), nil
	}
	return "", fmt.Errorf("clamd at %s could not scan the file: %s", c, result)
}

// command sends one z-command (answers end with NUL), with a stream for
// INSTREAM, and returns the answer.
func (c *Client) command(ctx context.Context, cmd string, stream io.Reader) (string, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := io.WriteString(conn, cmd); err != nil {
		return "", fmt.Errorf("clamd at %s: %w", c, err)
	}
	if stream != nil {
		if err := sendChunks(conn, stream); err != nil {
			// clamd closes the connection when a stream passes its
			// StreamMaxLength, after saying so: read what it said.
			if reply, rerr := readReply(conn); rerr == nil && reply != "" {
				return reply, nil
			}
			return "", fmt.Errorf("clamd at %s: %w", c, err)
		}
	}
	reply, err := readReply(conn)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("clamd at %s: %w", c, err)
	}
	return reply, nil
}

func sendChunks(w io.Writer, r io.Reader) error {
	buf := make([]byte, 4+chunkSize)
	for {
		n, err := io.ReadFull(r, buf[4:])
		if n > 0 {
			binary.BigEndian.PutUint32(buf[:4], uint32(n))
			if _, werr := w.Write(buf[:4+n]); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	_, err := w.Write([]byte{0, 0, 0, 0})
	return err
}

func readReply(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil && len(b) == 0 {
		return "", err
	}
	return string(bytes.TrimRight(b, "\x00\n")), nil
}
