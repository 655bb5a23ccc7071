// seckill-go is the comparison peer for FlashSale's purchase benchmarks: the
// design most flash-sale services start from. Go's net/http answers
// POST /purchase {"user":"…","sku":"…","qty":1}; every request borrows a
// connection from a redigo pool and runs ../purchase.lua with EVALSHA, so each
// purchase costs one Redis round trip and one script run.
//
//	200 {"ok":true,"left":N}     bought; N units left
//	409 {"ok":false,"error":…}   bought before, or sold out
//	400 / 405 / 503              bad body, wrong method, Redis failed
//
// Build (Debian: golang-go, golang-github-gomodule-redigo-dev; no network):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o seckill-go .
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/gomodule/redigo/redis"
)

// order is the purchase body.
type order struct {
	User string `json:"user"`
	Sku  string `json:"sku"`
	Qty  int    `json:"qty"`
}

// shop answers purchases from one Redis through one script.
type shop struct {
	pool   *redis.Pool
	script *redis.Script
}

var (
	bodyBadRequest = []byte(`{"ok":false,"error":"bad_request"}`)
	bodyMethod     = []byte(`{"ok":false,"error":"method_not_allowed"}`)
	bodyBought     = []byte(`{"ok":false,"error":"already_bought"}`)
	bodySoldOut    = []byte(`{"ok":false,"error":"sold_out"}`)
	bodyRedis      = []byte(`{"ok":false,"error":"redis_unavailable"}`)
)

func reply(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *shop) purchase(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		reply(w, http.StatusMethodNotAllowed, bodyMethod)
		return
	}
	var o order
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&o); err != nil ||
		o.User == "" || o.Sku == "" || o.Qty < 1 {
		reply(w, http.StatusBadRequest, bodyBadRequest)
		return
	}
	conn := s.pool.Get()
	defer conn.Close()
	left, err := redis.Int64(s.script.Do(conn,
		"stock:"+o.Sku, "buyers:"+o.Sku, "orders:"+o.Sku, o.User, o.Qty, o.Sku))
	switch {
	case err != nil:
		reply(w, http.StatusServiceUnavailable, bodyRedis)
	case left == -1:
		reply(w, http.StatusConflict, bodyBought)
	case left == -2:
		reply(w, http.StatusConflict, bodySoldOut)
	default:
		reply(w, http.StatusOK, []byte(`{"ok":true,"left":`+strconv.FormatInt(left, 10)+`}`))
	}
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8083", "address to serve HTTP on")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis host:port")
	scriptPath := flag.String("script", "purchase.lua", "the purchase Lua script")
	poolSize := flag.Int("pool", 64, "Redis connections at most (requests wait for a free one)")
	flag.Parse()

	source, err := os.ReadFile(*scriptPath)
	if err != nil {
		log.Fatalf("seckill-go: %v", err)
	}
	s := &shop{
		script: redis.NewScript(3, string(source)),
		pool: &redis.Pool{
			MaxIdle:     *poolSize,
			MaxActive:   *poolSize,
			Wait:        true,
			IdleTimeout: 5 * time.Minute,
			Dial:        func() (redis.Conn, error) { return redis.Dial("tcp", *redisAddr) },
		},
	}
	// Load the script once so that every request is a plain EVALSHA.
	conn := s.pool.Get()
	if err := s.script.Load(conn); err != nil {
		log.Fatalf("seckill-go: loading %s into %s: %v", *scriptPath, *redisAddr, err)
	}
	conn.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/purchase", s.purchase)
	log.Printf("seckill-go: http://%s/purchase, redis %s, pool %d", *listen, *redisAddr, *poolSize)
	log.Fatal(http.ListenAndServe(*listen, mux))
}
