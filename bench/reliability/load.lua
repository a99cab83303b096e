-- wrk script for the load check's visitors (bench/reliability/load.py): each connection asks for the paths of
-- the file named by RELIABILITY_PATHS in turn (each thread from its own place in the list), counts the statuses,
-- and at the end prints one WRK line (requests, errors, latency in microseconds) and one WRKSTATUS line a status.

local paths = {}
counts = {} -- global: done() reads it from each thread
local threads = {}
local next_path = 0

function setup(thread)
    thread:set("thread_number", #threads)
    table.insert(threads, thread)
end

function init(args)
    local file = assert(io.open(os.getenv("RELIABILITY_PATHS"), "r"))
    for line in file:lines() do
        if #line > 0 then
            table.insert(paths, line)
        end
    end
    file:close()
    next_path = (thread_number * 37) % #paths
end

function request()
    next_path = next_path % #paths + 1
    return wrk.format("GET", paths[next_path], { ["User-Agent"] = "betterway-reliability-wrk" })
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "WRK requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
        summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
    local total = {}
    for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("counts")) do
            total[status] = (total[status] or 0) + n
        end
    end
    for status, n in pairs(total) do
        io.write(string.format("WRKSTATUS %d %d\n", status, n))
    end
end
