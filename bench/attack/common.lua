-- Shared by the attack scenarios of bench/edge-attacks.sh: a per-thread id (so that every
-- thread writes its own client addresses) and a count of the answers by status, summed in done().
-- A script that loads it defines request() (or sets wrk.headers) and nothing else.
local threads = {}

function setup(thread)
   thread:set("tid", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   counts = {}
end

function response(status, headers, body)
   local key = "s" .. status
   counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
   local totals = {}
   for _, thread in ipairs(threads) do
      for key, n in pairs(thread:get("counts")) do
         totals[key] = (totals[key] or 0) + n
      end
   end
   local line = "statuses:"
   for key, n in pairs(totals) do
      line = line .. " " .. string.sub(key, 2) .. "=" .. n
   end
   io.write(line .. "\n")
end
